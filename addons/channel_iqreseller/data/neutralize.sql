-- A copied database must not sign in to IQ Reseller with the production API key.
UPDATE integration_credential SET iqr_api_key = NULL WHERE iqr_api_key IS NOT NULL;

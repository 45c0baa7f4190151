-- A copied database must not read the production feed nor send statuses with its secrets.
UPDATE integration_credential
   SET iqmetrix_client_secret = NULL, iqmetrix_username = NULL, iqmetrix_password = NULL
 WHERE platform = 'iqmetrix';

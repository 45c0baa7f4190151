-- A copied database must not create orders in, or read labels from, the real account.
UPDATE integration_credential
   SET shipstation_api_key = NULL,
       shipstation_api_secret = NULL,
       shipstation_v2_api_key = NULL,
       shipstation_v1_webhook_id = NULL,
       shipstation_v2_webhook_id = NULL
 WHERE platform = 'shipstation';

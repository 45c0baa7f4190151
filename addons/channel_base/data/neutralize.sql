-- A copied database must not talk to the real platforms with production secrets.
UPDATE integration_credential SET active = false, webhook_secret = NULL;
DELETE FROM channel_access_token;
UPDATE sync_job SET state = 'cancelled' WHERE state IN ('pending', 'running', 'waiting');

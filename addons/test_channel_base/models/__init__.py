from . import integration_credential

from . import integration_credential
from . import integration_credential_inbox

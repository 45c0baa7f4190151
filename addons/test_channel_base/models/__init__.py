from . import integration_credential
# token store: the example platform's OAuth and session secrets
from . import integration_credential_tokens

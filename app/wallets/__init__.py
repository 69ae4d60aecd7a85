"""Sending a credential to a digital wallet: OpenID for Verifiable Credential Issuance 1.0
(pre-authorized code flow) and a VC-API exchange for the DCC Learner Credential Wallet.

Both deliver the credential exactly as stored and signed at issuance (the Data Integrity
JSON for `ldp_vc` and the VC exchange, the VC-JWT for `jwt_vc_json`); nothing is re-signed.
A student starts each send from the credential's page; what the wallet needs to finish it
(an offer, an exchange) lives in the database, single use and short-lived, so any app
server behind the load balancer can answer the wallet's next request.
"""

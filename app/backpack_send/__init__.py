"""Sending a credential to another backpack: the Open Badges 3.0 API as a Service Consumer.

The learner names another backpack; Laurel reads its Service Description Document,
registers itself there once (RFC 7591), sends the learner's browser to authorize it
(authorization code with PKCE S256), and stores the credential there with
upsertCredential, as the exact bytes Laurel signed. The backpack's token is kept,
sealed, so that the next credential goes without asking again.
"""

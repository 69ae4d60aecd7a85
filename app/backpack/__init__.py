"""The learner's backpack: the Open Badges 3.0 API as a Service Provider.

Other applications (wallets, other schools' badge services) register with OAuth 2.0
(RFC 7591), a student grants them access on a consent page (authorization code with
PKCE S256), and they read the student's credentials and profile or store credentials
of any issuer here, which Laurel verifies on arrival and keeps byte for byte.
"""

"""The VC-API (W3C CCG VC-API, now VCALM): issue, verify and update the status of credentials.

API clients, created by an admin, take a token with the client credentials grant from
the backpack's OAuth 2.0 server (/oauth/token) and a scope per door (vc:issue, vc:status).
"""

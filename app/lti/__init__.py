"""LTI 1.3: Laurel as a tool a school's LMS launches (Core, Deep Linking 2.0, NRPS 2.0).

Built on PyJWT and Laurel's own JWK reading rather than pylti1p3 (2.0.0, unmaintained
since 2022): its launch check takes the client id from `aud[0]` and skips the audience
check, only asks that a nonce exists, keeps state and nonce in the Flask session (which a
cross-site launch POST does not carry), and fetches keys, tokens and rosters with plain
`requests`, outside Laurel's network guard. Replacing those parts left nothing of it.
"""

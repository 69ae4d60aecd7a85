"""Single sign-on with OpenID Connect: the providers, the sign-in flow, the password rule."""

"""A person's own account: profile, language, second factor, and the alerts about sign-ins."""

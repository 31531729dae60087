"""The Pulumi program: read one stack's config, validate it once, and compose the stage from components."""

"""Policy authoring: loading and checking policy files (schema, meaning, the statutory floor),
policy tests, and the scaffold for a new brand plugin. The registry loads policies through
``policyload``; nothing here decides a case."""

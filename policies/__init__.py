"""The bundled policies (YAML) and their JSON Schema, read with importlib.resources."""

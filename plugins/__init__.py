"""Bundled plugins: generic_sanbao (the statutory floor), apple, huawei."""

"""Records shown as GraphQL objects: dicts shaped like the schema's types.

A value may be a callable taking `(info, **args)`, for fields with arguments or lazy lookups. A
field missing from a dict is one the sandbox does not implement; asking for it fails loudly.
"""

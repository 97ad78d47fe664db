"""Test plumbing shared by every domain's tests: the GraphQL client (see graphql.py)."""

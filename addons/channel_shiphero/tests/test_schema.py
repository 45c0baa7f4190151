"""Every query and mutation the connector sends, validated against ShipHero's public
GraphQL schema (tests/data/shiphero_schema.graphql, see tests/data/README.md): a misspelt
field or a wrong argument fails here, not in production."""

import os
import unittest

from gql import Client
from gql.graphql_request import GraphQLRequest

from .. import queries

SCHEMA = os.path.join(os.path.dirname(__file__), "data", "shiphero_schema.graphql")


class TestShipheroSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(SCHEMA, encoding="utf-8") as handle:
            cls.client = Client(schema=handle.read())

    def test_every_document_is_valid(self):
        self.assertGreaterEqual(len(queries.ALL), 12)
        for name, document in queries.ALL.items():
            with self.subTest(document=name):
                self.client.validate(GraphQLRequest(document))

    def test_a_misspelt_field_fails(self):
        document = queries.gql("query { user_quota { credits_left } }")
        with self.assertRaises(Exception) as caught:  # noqa: PT027 - graphql's own error
            self.client.validate(GraphQLRequest(document))
        self.assertIn("credits_left", str(caught.exception))

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Validation and quoting of SQL identifiers that must be spliced into queries.

Values always travel as query parameters; only table and schema names, which
SQL cannot take as parameters, go through here.
"""

import re

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1; longer names are silently truncated by PostgreSQL

# What an unquoted name folds to: LightRAG creates its tables unquoted.
_PLAIN = re.compile(r'^[a-z_][a-z0-9_$]*$')


class IdentifierError(ValueError):
    pass


def validate_identifier(name):
    """Reject what no catalog name can be, so a bad value fails loudly, not as odd SQL."""
    if not isinstance(name, str) or not name:
        raise IdentifierError('identifier must be a non-empty string')
    if '\x00' in name:
        raise IdentifierError('identifier %r contains a NUL byte' % name)
    if len(name.encode('utf-8')) > MAX_IDENTIFIER_BYTES:
        raise IdentifierError('identifier %r is longer than %d bytes' % (name, MAX_IDENTIFIER_BYTES))
    return name


def is_plain_identifier(name):
    """True for names that need no quoting (lower case, as LightRAG's tables are)."""
    return bool(_PLAIN.match(name or '')) and len(name.encode('utf-8')) <= MAX_IDENTIFIER_BYTES


def quote_identifier(name):
    """Quote always: safe for any valid name, including upper case and quotes."""
    validate_identifier(name)
    return '"%s"' % name.replace('"', '""')


def qualified_name(schema, table):
    return '%s.%s' % (quote_identifier(schema), quote_identifier(table))

"""Feeds: fetch, URL policy, parse, identity, article text, feed lists, fixture documents."""

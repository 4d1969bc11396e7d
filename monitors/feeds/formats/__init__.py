"""The readers of each feed format: XML (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) and JSON (JSON Feed, RSS as JSON)."""

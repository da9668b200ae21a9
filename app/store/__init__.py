"""SQLCipher connection, migrations, transactions."""

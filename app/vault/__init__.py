"""Key slots, KDF, keychain device secret, recovery key, unlock/lock and rekey."""

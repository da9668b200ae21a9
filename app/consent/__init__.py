"""A person's own say, below the CRM because its lists and imports read and write it: the consent ledger (what
they allowed, under which notice), the law and lawful bases that apply to them, and a restriction (GDPR Art. 18)."""

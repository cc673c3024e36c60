"""Passwords refused although they pass the length and three-class rules: public (the demo
logins' password) or the first a guesser tries. Compared ignoring case (``casefold``)."""

from functools import cache

#: the shapes people reach for under a "10 characters, three classes" rule
KNOWN = [
    "Admin@123456", "Admin@12345", "Admin#123456", "Admin123456!", "Administrator1", "Administrator@1",
    "P@ssw0rd123", "P@ssword123", "Passw0rd@123", "Password@123", "Password123!", "Password#123",
    "Abc@1234567", "Abc@123456", "Abc123456!", "Aa123456789!", "Aa@123456789", "Qwer@123456",
    "Qwer1234!@#", "Qwe@1234567", "1qaz@WSX3edc", "1qaz!QAZ2wsx", "Zaq1@WSX3edc", "Asdf@123456",
    "Welcome@123", "Welcome1234!", "Changeme@123", "Test@123456", "Root@123456", "Huawei@123",
    "Jixiao@123456", "Jixiao@12345", "Jixiao123456!", "Caizheng@123", "Czj@123456789",
]


@cache
def known_passwords() -> frozenset[str]:
    from jixiao.org.personas import DEMO_PASSWORD

    return frozenset(p.casefold() for p in [*KNOWN, DEMO_PASSWORD])

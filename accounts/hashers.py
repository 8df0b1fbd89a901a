"""bcrypt hashers with the cost pinned explicitly, so a library default change cannot lower it."""

from django.contrib.auth.hashers import BCryptPasswordHasher, BCryptSHA256PasswordHasher

BCRYPT_COST = 12


class BCryptSHA256Cost12PasswordHasher(BCryptSHA256PasswordHasher):
    algorithm = "bcrypt_sha256"
    rounds = BCRYPT_COST


class BCryptCost12PasswordHasher(BCryptPasswordHasher):
    algorithm = "bcrypt"
    rounds = BCRYPT_COST

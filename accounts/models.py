"""People and access: users, JWT refresh sessions, notifications and the activity log."""

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac

from common.fields import EncryptedCharField, JSONBListField, JSONBObjectField, PgEnumField
from common.models import CreatedAtModel, TimestampedModel


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    CUSTOMER_REP = "customer_rep", "Customer rep"
    DELIVERY_AGENT = "delivery_agent", "Delivery agent"
    ACCOUNTANT = "accountant", "Accountant"


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    BUSY = "busy", "Busy"
    OFFLINE = "offline", "Offline"


class NotificationType(models.TextChoices):
    ORDER = "order", "Order"
    DELIVERY = "delivery", "Delivery"
    SYSTEM = "system", "System"
    WORKFLOW = "workflow", "Workflow"
    ALERT = "alert", "Alert"


# Roles that may enter Django admin.
ADMIN_SITE_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("role", Role.CUSTOMER_REP)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["role"] = Role.ADMIN
        return self._create(email, password, **fields)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email=email.strip().lower())


class User(AbstractBaseUser, TimestampedModel):
    """A member of staff. Email is the login; the password hash lives in `password_hash`."""

    email = models.EmailField(max_length=255)
    password = models.CharField("password", max_length=255, db_column="password_hash")
    full_name = models.CharField(max_length=255)
    phone = models.CharField(max_length=32, blank=True, null=True)
    role = PgEnumField(enum_type="user_role", choices=Role.choices, db_default=Role.CUSTOMER_REP)
    permissions = JSONBObjectField(blank=True)
    is_active = models.BooleanField(default=True, db_default=True)
    availability_status = PgEnumField(
        enum_type="availability_status",
        choices=Availability.choices,
        default=Availability.OFFLINE,
        db_default=Availability.OFFLINE,
    )
    # Part of every session's auth hash (get_session_auth_hash): a new value ends all of the user's
    # sessions at once (accounts.services.end_all_sessions); API tokens carry it too.
    security_stamp = models.UUIDField(
        default=uuid.uuid4,
        db_default=models.Func(function="gen_random_uuid", output_field=models.UUIDField()),
        editable=False,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        db_table = "users"
        ordering = ["full_name"]
        constraints = [
            # The schema's login index; unique, so it doubles as the uniqueness rule.
            models.UniqueConstraint(fields=["email"], name="idx_users_email"),
        ]
        indexes = [
            models.Index(fields=["role"], name="idx_users_role"),
            models.Index(fields=["is_active"], name="idx_users_is_active"),
            models.Index(fields=["availability_status"], name="idx_users_availability"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Sessions: django.contrib.auth.get_user() compares the hash stored at login with this one on
    # every request and ends the session when they differ, i.e. when the password or the security
    # stamp changed. Both public methods are overridden so SECRET_KEY_FALLBACKS keep working.
    def get_session_auth_hash(self) -> str:
        return self._stamped_session_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._stamped_session_hash(secret=secret)

    def _stamped_session_hash(self, *, secret) -> str:
        value = f"{self.password}:{self.security_stamp}"
        return salted_hmac("accounts.User.session_auth_hash", value, secret=secret, algorithm="sha256").hexdigest()

    # Django admin integration. The role decides; per-user permissions refine it (accounts.policy).
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role in ADMIN_SITE_ROLES

    @property
    def is_superuser(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django admin asks "app.change_model"; the answer comes from accounts.policy."""
        from .policy import can_admin

        return self.is_staff and can_admin(self, perm, obj)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        from .policy import can_admin_app

        return self.is_staff and can_admin_app(self, app_label)


class TwoFactorDevice(CreatedAtModel):
    """A user's TOTP authenticator (accounts.otp). At most one; unconfirmed while setup is under way.

    The seed is encrypted at rest (common.crypto keys); recovery codes are kept as SHA-256 digests
    and removed once used; `last_used_step` is the TOTP time step of the last accepted code, so a
    code (or an older one) cannot be replayed.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor_device")
    secret = EncryptedCharField(max_length=255)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    recovery_code_hashes = JSONBListField(blank=True)

    class Meta:
        db_table = "two_factor_devices"

    def __str__(self) -> str:
        return f"2FA of {self.user_id}"


class RefreshSession(CreatedAtModel):
    """A JWT refresh token (the schema's `sessions`). Only a digest of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_sessions", db_index=False)
    refresh_token = models.CharField(max_length=512)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "sessions"
        constraints = [models.UniqueConstraint(fields=["refresh_token"], name="idx_sessions_refresh_token")]
        indexes = [
            models.Index(fields=["user"], name="idx_sessions_user_id"),
            models.Index(fields=["expires_at"], name="idx_sessions_expires_at"),
        ]


class Notification(CreatedAtModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    type = PgEnumField(
        enum_type="notification_type", choices=NotificationType.choices, db_default=NotificationType.SYSTEM
    )
    title = models.CharField(max_length=255)
    message = models.TextField(blank=True, default="", db_default="")
    data = JSONBObjectField(blank=True)
    is_read = models.BooleanField(default=False, db_default=False)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], name="idx_notifications_user_id"),
            models.Index(fields=["is_read"], name="idx_notifications_is_read"),
            models.Index(fields=["-created_at"], name="idx_notifications_created_at"),
            models.Index(fields=["user", "is_read"], name="idx_notifications_user_unread"),
            models.Index(fields=["type"], name="idx_notifications_type"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityLog(CreatedAtModel):
    """Append-only audit trail of user actions (the schema's `activity_logs`)."""

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    action = models.CharField(max_length=100)
    entity_type = models.CharField(max_length=100)
    entity_id = models.UUIDField(null=True, blank=True)
    details = JSONBObjectField(blank=True)
    ip_address = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        db_table = "activity_logs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], name="idx_activity_logs_user_id"),
            models.Index(fields=["action"], name="idx_activity_logs_action"),
            models.Index(fields=["entity_type", "entity_id"], name="idx_activity_logs_entity"),
            models.Index(fields=["-created_at"], name="idx_activity_logs_created_at"),
            models.Index(fields=["user", "-created_at"], name="idx_activity_logs_user_created"),
        ]

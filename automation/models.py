"""Automated workflows and the log of their runs."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from common.fields import JSONBListField, JSONBObjectField, PgEnumField
from common.models import TimestampedModel, uuid_pk


class TriggerType(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    ORDER_STATUS = "order_status", "Order status"
    CUSTOMER_TAG = "customer_tag", "Customer tag"
    TIME_BASED = "time_based", "Time based"
    MANUAL = "manual", "Manual"


class ExecutionStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Workflow(TimestampedModel):
    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    trigger_type = PgEnumField(enum_type="workflow_trigger", choices=TriggerType.choices)
    trigger_config = JSONBObjectField(blank=True)
    workflow_steps = JSONBListField(blank=True)
    is_active = models.BooleanField(default=True, db_default=True)
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        db_table = "workflows"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["trigger_type"], name="idx_workflows_trigger_type"),
            models.Index(fields=["is_active"], name="idx_workflows_is_active"),
            models.Index(fields=["created_by_user"], name="idx_workflows_created_by"),
            GinIndex(fields=["trigger_config"], name="idx_workflows_trigger_config"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkflowExecution(models.Model):
    id = uuid_pk()
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="executions", db_index=False)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    status = PgEnumField(
        enum_type="execution_status",
        choices=ExecutionStatus.choices,
        default=ExecutionStatus.RUNNING,
        db_default=ExecutionStatus.RUNNING,
    )
    steps_completed = JSONBListField(blank=True)
    error_log = JSONBListField(blank=True)
    started_at = models.DateTimeField(db_default=models.functions.Now())
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workflow_executions"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["workflow"], name="idx_workflow_executions_workflow_id"),
            models.Index(fields=["order"], name="idx_workflow_executions_order_id"),
            models.Index(fields=["customer"], name="idx_workflow_executions_customer_id"),
            models.Index(fields=["status"], name="idx_workflow_executions_status"),
            models.Index(fields=["-started_at"], name="idx_workflow_executions_started_at"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id} run {self.id} ({self.status})"

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "clinic.staff"
    label = "staff"
    verbose_name = "Staff and access"

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.contrib.auth.signals import user_logged_in
        from django.core.checks import Tags, register
        from django.db.models.signals import post_save

        from clinic.staff import audit_chain, checks, middleware
        from clinic.staff.models import PractitionerProfile

        register(checks.audit_chain_key_is_strong, Tags.security, deploy=True)
        # What a role grants is kept between requests (clinic.staff.access): any change
        # to the roles, their members or their permissions, a migration's grants
        # included, makes every user's be read afresh once it is committed.
        from django.contrib.auth.models import Permission
        from django.db.models.signals import m2m_changed, post_delete, post_migrate

        from clinic.staff.access import new_role_generation

        user_model = get_user_model()
        for through in (user_model.groups.through, Group.permissions.through):
            m2m_changed.connect(
                new_role_generation, sender=through, dispatch_uid=f"roles-{through}"
            )
        for model in (Group, Permission):
            for signal in (post_save, post_delete):
                signal.connect(new_role_generation, sender=model, dispatch_uid=f"roles-{model}")
        post_migrate.connect(new_role_generation, dispatch_uid="roles-migrate")
        # Every audit entry is sealed into the chain in the transaction that wrote it.
        post_save.connect(audit_chain.seal_new_entry, sender=LogEntry, dispatch_uid="audit-seal")
        user_logged_in.connect(middleware.stamp_session_start, dispatch_uid="staff-session-start")
        user_logged_in.connect(middleware.note_mfa_enrolment, dispatch_uid="staff-mfa-enrolled")
        # Who may do what is part of the record: staff accounts, their roles, what each
        # role grants and practitioners' profiles are all audited.
        auditlog.register(
            get_user_model(),
            exclude_fields=["password", "last_login"],
            m2m_fields={"groups", "user_permissions"},
        )
        auditlog.register(Group, m2m_fields={"permissions"})
        auditlog.register(PractitionerProfile)
        # A second factor set up or reset (by the clinic manager) is part of the record;
        # its secret and its counters are not.
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        secrets = ["key", "last_t", "drift", "throttling_failure_timestamp"]
        auditlog.register(
            TOTPDevice, exclude_fields=[*secrets, "throttling_failure_count", "last_used_at"]
        )
        auditlog.register(
            StaticDevice,
            exclude_fields=[
                "throttling_failure_timestamp",
                "throttling_failure_count",
                "last_used_at",
            ],
        )

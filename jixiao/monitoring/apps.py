from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jixiao.monitoring"
    label = "monitoring"
    verbose_name = "绩效运行监控"

    def ready(self):
        # 双监控 on the project page: its execution to date and rate beside its budget and target sheet
        from jixiao.monitoring.services import project_facts
        from jixiao.projects.panels import register_facts

        register_facts(project_facts)
        # and its latest monitoring table: the round, the table's status, its lights (the warnings board's reading)
        from jixiao.monitoring.board import monitoring_facts

        register_facts(monitoring_facts)
        # the agency page: its whole budget's execution
        from jixiao.monitoring.services import agency_facts
        from jixiao.org.panels import register_agency_facts

        register_agency_facts(agency_facts)
        # configuration keys: the spending profiles (expected execution) and the reminder lead time
        import jixiao.monitoring.configuration  # noqa: F401

        # background jobs: the import of a large execution or spending-plan file
        import jixiao.monitoring.jobs  # noqa: F401

        # 监控结果应用 on the project page: its decisions, the state of disbursement, the buttons
        from jixiao.monitoring.views_decisions import decisions_section
        from jixiao.projects.panels import register_section

        register_section(decisions_section)

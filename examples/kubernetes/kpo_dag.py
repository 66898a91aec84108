"""The Airflow DAG of examples/airflow/cxetl_dag.py with each shard in its
own pod: `KubernetesPodOperator` (apache-airflow-providers-cncf-kubernetes)
mapped over the planned args. `--summary-file /airflow/xcom/return.json`
hands the summary to XCom through the operator's sidecar (`do_xcom_push`),
however much the run logged. Only the mapped task differs from the
BashOperator DAG; `plan` and `status` are the same tasks there.
"""

from datetime import datetime

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, task
from kubernetes.client import models as k8s

SUMMARY = ["--summary-file", "/airflow/xcom/return.json"]


def pod_args(args: list[str]) -> list[str]:
    return args + SUMMARY


with DAG(dag_id="cxetl_kpo", start_date=datetime(2026, 11, 1), schedule="@daily", catchup=False):

    @task
    def plan() -> list[list[str]]:
        ...  # as in examples/airflow/cxetl_dag.py: `cxetl plan` → each shard's args

    KubernetesPodOperator.partial(
        task_id="run_shard",
        pool="cxetl",
        image="cxetl:latest",
        cmds=["cxetl"],
        env_from=[k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="cxetl-genesys"))],
        env_vars={"CXETL_LOG_FORMAT": "json"},
        do_xcom_push=True,
        get_logs=True,
        termination_grace_period=60,
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "1", "memory": "512Mi"}, limits={"memory": "1Gi"}
        ),
    ).expand(arguments=plan().map(pod_args))

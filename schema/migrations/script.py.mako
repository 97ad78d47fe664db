"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
${imports if imports else ""}

import culture_cloud.db

revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}

# Expand/contract (README "Upgrades"): the previous release's workers run on this schema during
# the deploy. A drop, rename, type change or new NOT NULL without a server default belongs in a
# later contract migration that declares it (tests/test_expand_contract.py checks), naming the
# revision of the release whose code stopped using the old shape:
# CONTRACT = {"drops column table.column": "0012"}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}

"""add_phone"""
import sqlalchemy as sa
from alembic import op

revision = "c3"
down_revision = "a1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("phone", sa.String(200)))


def downgrade():
    op.drop_column("users", "phone")

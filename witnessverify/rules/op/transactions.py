"""Transaction rules of the OP Stack beyond Ethereum's: blob transactions (EIP-4844) are not
accepted on L2 (specs ecotone/overview.md: "the L2 does not accept blob transactions")."""

from __future__ import annotations

from eth_utils import ValidationError


def check_transaction(transaction) -> None:
    if transaction.type_id == 3:
        raise ValidationError("blob transactions are not accepted on OP Stack chains")

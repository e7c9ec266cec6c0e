"""The things an inventory holds."""

from dataclasses import dataclass


@dataclass
class Item:
    name: str
    quantity: int

    def as_dict(self):
        return {"name": self.name, "quantity": self.quantity}

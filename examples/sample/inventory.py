"""A small inventory module used to try docagent (most of it is deliberately undocumented)."""

from __future__ import annotations

from dataclasses import dataclass, field


class OutOfStock(Exception):
    pass


@dataclass
class Item:
    sku: str
    price_cents: int
    quantity: int = 0
    tags: list[str] = field(default_factory=list)

    @property
    def in_stock(self) -> bool:
        return self.quantity > 0

    def total_value(self) -> int:
        return self.price_cents * self.quantity


class Inventory:
    def __init__(self, items: list[Item] | None = None):
        self.items = {item.sku: item for item in items or []}

    def add(self, item: Item) -> None:
        if item.sku in self.items:
            self.items[item.sku].quantity += item.quantity
        else:
            self.items[item.sku] = item

    def remove(self, sku: str, quantity: int = 1) -> Item:
        item = self.items.get(sku)
        if item is None or item.quantity < quantity:
            raise OutOfStock(sku)
        item.quantity -= quantity
        return item

    def tagged(self, tag: str):
        for item in self.items.values():
            if tag in item.tags:
                yield item

    def value(self) -> int:
        return sum(item.total_value() for item in self.items.values())


def parse_line(line: str) -> Item:
    """Parse ``sku,price_cents,quantity[,tag...]`` into an Item.

    Args:
        line: One CSV line.
        strict: Reject unknown tags.

    Returns:
        The parsed item.
    """
    sku, price, quantity, *tags = line.strip().split(",")
    return Item(sku, int(price), int(quantity), tags)

"""The demo product catalog: 40 products in MAD, some with variants, a few low on stock.

Money inside JSONB (variant prices, order item amounts) is written as a string with two decimals
("459.00"), the form Decimal reads back exactly; the order factories use the same form.
"""

from __future__ import annotations

from itertools import product as cartesian
from typing import NamedTuple


class ProductSpec(NamedTuple):
    sku: str
    name: str
    category: str
    price_cents: int
    cost_cents: int
    stock: int
    threshold: int
    # attribute -> values; the variants are their combinations. Empty: no variants.
    axes: dict[str, tuple[str, ...]]
    popularity: float  # relative share of order lines
    is_active: bool = True


ELECTRONICS, BEAUTY, FASHION, HOME, SPORT, KIDS = (
    "Electronics", "Beauty & Care", "Fashion", "Home & Kitchen", "Health & Sport", "Kids & Toys",
)  # fmt: skip
_COLORS = ("Black", "Beige", "Navy")
_SIZES = ("S", "M", "L", "XL")

PRODUCTS: tuple[ProductSpec, ...] = (
    # PROD-001 has no variants, so its order lines carry sku "PROD-001" (the spec's query 9 finds them).
    ProductSpec("PROD-001", "Wireless Bluetooth Earbuds Pro", ELECTRONICS, 24900, 11000, 180, 20, {}, 9.0),
    ProductSpec("PROD-002", "Smart Watch Series 8", ELECTRONICS, 39900, 19000, 95, 15,
                {"color": ("Black", "Silver", "Pink")}, 6.0),
    ProductSpec("PROD-003", "Power Bank 20000 mAh", ELECTRONICS, 19900, 8500, 140, 20, {}, 4.0),
    ProductSpec("PROD-004", "Fast Charger 65W USB-C", ELECTRONICS, 14900, 5500, 210, 25, {}, 3.0),
    ProductSpec("PROD-005", "MagSafe Phone Case", ELECTRONICS, 7900, 2000, 320, 30,
                {"model": ("iPhone 13", "iPhone 14", "iPhone 15")}, 3.5),
    ProductSpec("PROD-006", "Waterproof Bluetooth Speaker", ELECTRONICS, 29900, 13000, 60, 10, {}, 2.0),
    ProductSpec("PROD-007", "Ring Light 26cm with Tripod", ELECTRONICS, 18900, 7500, 6, 10, {}, 1.5),
    ProductSpec("PROD-008", "Car Phone Holder", ELECTRONICS, 8900, 2800, 150, 20, {}, 1.5),
    ProductSpec("PROD-009", "Pure Argan Oil", BEAUTY, 14900, 4500, 260, 30, {"volume": ("50ml", "100ml")}, 7.0),
    ProductSpec("PROD-010", "Savon Beldi Black Soap", BEAUTY, 5900, 1500, 400, 40, {}, 3.0),
    ProductSpec("PROD-011", "Ghassoul Clay Powder 250g", BEAUTY, 4900, 1200, 380, 40, {}, 2.0),
    ProductSpec("PROD-012", "Rose Water of Kelaat M'Gouna 250ml", BEAUTY, 6900, 2000, 300, 30, {}, 2.5),
    ProductSpec("PROD-013", "Ceramic Hair Straightener", BEAUTY, 25900, 10500, 70, 10, {}, 2.5),
    ProductSpec("PROD-014", "Oud Royal Perfume 100ml", BEAUTY, 34900, 12000, 85, 10, {}, 3.0),
    ProductSpec("PROD-015", "Hammam Kessa Glove Set", BEAUTY, 4500, 1000, 500, 50, {}, 1.5),
    ProductSpec("PROD-016", "Vitamin C Serum 30ml", BEAUTY, 12900, 4000, 3, 10, {}, 2.0),
    ProductSpec("PROD-017", "Embroidered Djellaba", FASHION, 45900, 21000, 120, 15,
                {"size": _SIZES, "color": _COLORS[:2]}, 4.0),
    ProductSpec("PROD-018", "Leather Babouches", FASHION, 17900, 7000, 150, 20,
                {"size": ("38", "39", "40", "41", "42", "43", "44")}, 3.0),
    ProductSpec("PROD-019", "Satin Kaftan", FASHION, 69900, 32000, 45, 8,
                {"size": _SIZES[:3], "color": ("Emerald", "Burgundy")}, 2.0),
    ProductSpec("PROD-020", "Jersey Hijab Pack of 3", FASHION, 9900, 3500, 260, 30,
                {"color": ("Nude", "Black", "Olive")}, 3.0),
    ProductSpec("PROD-021", "Air Run Sneakers", FASHION, 32900, 15000, 90, 12,
                {"size": ("40", "41", "42", "43", "44", "45")}, 3.5),
    ProductSpec("PROD-022", "Leather Handbag", FASHION, 28900, 12000, 55, 8, {"color": _COLORS}, 2.0),
    ProductSpec("PROD-023", "Sports Tracksuit", FASHION, 25900, 11000, 110, 15, {"size": _SIZES}, 2.0),
    ProductSpec("PROD-024", "Polarized Sunglasses", FASHION, 12900, 4000, 0, 10, {}, 1.0, is_active=False),
    ProductSpec("PROD-025", "Clay Tajine Pot 30cm", HOME, 13900, 5000, 140, 15, {}, 2.0),
    ProductSpec("PROD-026", "Moroccan Tea Set (Teapot + 6 Glasses)", HOME, 24900, 10000, 75, 10, {}, 2.5),
    ProductSpec("PROD-027", "Brass Lantern", HOME, 21900, 9000, 4, 5, {}, 1.0),
    ProductSpec("PROD-028", "Berber Rug 120x180", HOME, 89900, 42000, 2, 3, {}, 1.0),
    ProductSpec("PROD-029", "Electric Juicer", HOME, 27900, 13000, 65, 10, {}, 1.5),
    ProductSpec("PROD-030", "Non-stick Cookware Set 7 pcs", HOME, 59900, 28000, 40, 8, {}, 1.5),
    ProductSpec("PROD-031", "Air Fryer 5L", HOME, 74900, 39000, 35, 8, {}, 2.5),
    ProductSpec("PROD-032", "Vacuum Storage Bags x10", HOME, 9900, 3000, 230, 25, {}, 1.0),
    ProductSpec("PROD-033", "Massage Gun", SPORT, 39900, 17000, 50, 8, {}, 2.0),
    ProductSpec("PROD-034", "Yoga Mat 6mm", SPORT, 14900, 5500, 120, 15, {"color": ("Purple", "Grey", "Teal")}, 1.5),
    ProductSpec("PROD-035", "Adjustable Dumbbells 20kg", SPORT, 54900, 26000, 0, 5, {}, 1.0),
    ProductSpec("PROD-036", "Posture Corrector", SPORT, 11900, 3500, 170, 20, {"size": _SIZES[:3]}, 1.5),
    ProductSpec("PROD-037", "Kids GPS Smartwatch", KIDS, 29900, 13000, 60, 10, {"color": ("Blue", "Pink")}, 2.0),
    ProductSpec("PROD-038", "Building Blocks 500 pcs", KIDS, 17900, 7000, 85, 10, {}, 1.5),
    ProductSpec("PROD-039", "Ergonomic Baby Carrier", KIDS, 32900, 14000, 40, 8, {}, 1.0),
    ProductSpec("PROD-040", "Remote Control Car", KIDS, 24900, 10500, 70, 10, {}, 1.5),
)  # fmt: skip


def money(cents: int) -> str:
    """Cents as the two-decimal string stored in JSONB and read by Decimal: 45900 -> "459.00"."""
    return f"{cents // 100}.{cents % 100:02d}"


def variant_rows(spec: ProductSpec) -> list[dict]:
    """The product's variants in the schema's shape. The last size costs 10% more (more fabric)."""
    if not spec.axes:
        return []
    names = list(spec.axes)
    combos = list(cartesian(*spec.axes.values()))
    per_variant_stock, extra = divmod(spec.stock, len(combos))
    variants = []
    for index, combo in enumerate(combos, start=1):
        price = spec.price_cents
        if "size" in spec.axes and combo[names.index("size")] == spec.axes["size"][-1]:
            price = price * 110 // 100 // 100 * 100  # round down to whole dirhams
        code = "-".join(value.upper().replace(" ", "")[:6] for value in combo)
        variants.append(
            {
                "id": f"var-{index}",
                "name": ", ".join(f"{name.capitalize()}: {value}" for name, value in zip(names, combo, strict=True)),
                "sku": f"{spec.sku}-{code}",
                "price": money(price),
                "stock": per_variant_stock + (1 if index <= extra else 0),
                "attributes": dict(zip(names, combo, strict=True)),
            }
        )
    return variants


def image_rows(spec: ProductSpec) -> list[dict]:
    base = f"https://cdn.demo.cod/products/{spec.sku.lower()}"
    return [
        {"url": f"{base}-main.jpg", "alt": f"{spec.name} main view", "is_primary": True, "order": 1},
        {"url": f"{base}-side.jpg", "alt": f"{spec.name} side view", "is_primary": False, "order": 2},
    ]


def description(spec: ProductSpec) -> str:
    return f"{spec.name}. Cash on delivery everywhere in Casablanca and Rabat, delivered in 24-48h."

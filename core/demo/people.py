"""Fixed people and places of the demo business: staff logins, delivery areas, names, stock phrases."""

from __future__ import annotations

from typing import NamedTuple

from accounts.models import Availability, Role

# Every demo login shares this password. Printed by seed_demo; never use these accounts outside a demo.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a published demo password, not a secret


class Area(NamedTuple):
    name: str
    city: str
    postal_code: str
    lat: float
    lng: float
    weight: float  # share of customers living here: busy and quiet areas
    delivery_fee_cents: int
    streets: tuple[str, ...]


AREAS: tuple[Area, ...] = (
    Area(
        "Maarif", "Casablanca", "20330", 33.5843, -7.6326, 0.27, 2500,
        ("Rue Ibnou Mounir", "Boulevard Zerktouni", "Rue Abou Bakr El Kadiri", "Rue Normandie", "Rue Ali Abderrazak"),
    ),
    Area(
        "Hay Hassani", "Casablanca", "20200", 33.5580, -7.6730, 0.22, 2500,
        ("Boulevard Oum Rabia", "Rue Al Fida", "Avenue Jbel Tazekka", "Rue Lalla Meryem", "Rue Al Moukawama"),
    ),
    Area(
        "Sidi Maarouf", "Casablanca", "20280", 33.5330, -7.6400, 0.16, 3000,
        ("Rue Sidi Maarouf", "Boulevard Al Qods", "Rue Ouled Ziane", "Rue des Jasmins", "Rue Al Amal"),
    ),
    Area(
        "Agdal", "Rabat", "10080", 33.9985, -6.8505, 0.14, 3000,
        ("Avenue de France", "Rue Oued Fès", "Avenue Ibn Sina", "Rue Patrice Lumumba", "Rue Al Oqba"),
    ),
    Area(
        "Ain Diab", "Casablanca", "20180", 33.5917, -7.6914, 0.11, 2500,
        ("Boulevard de la Corniche", "Rue de la Mer Egée", "Boulevard Anfa", "Rue Ain Diab", "Rue des Dunes"),
    ),
    Area(
        "Hay Riad", "Rabat", "10100", 33.9576, -6.8698, 0.10, 3500,
        ("Avenue Annakhil", "Rue Mehdi Ben Barka", "Avenue Riad", "Rue Al Araar", "Rue Zitoun"),
    ),
)  # fmt: skip
AREA_NAMES = tuple(area.name for area in AREAS)


class DemoUser(NamedTuple):
    email: str
    full_name: str
    role: str
    phone: str
    availability: str = Availability.AVAILABLE
    area: str | None = None  # delivery agents only: the area whose orders they carry


_AGENT_NAMES = (
    "Hamza Ouazzani", "Ayoub Chraibi", "Mehdi Lahlou", "Anas Bennis", "Zakaria El Fassi", "Reda Sekkat",
    "Soufiane Guessous", "Ilyas Kettani", "Amine Berrechid", "Hicham Filali", "Nabil Skalli", "Yassine Naciri",
)  # fmt: skip
# Two agents per area, alternating available/busy, with one agent off today.
_AGENT_AVAILABILITY = (Availability.AVAILABLE, Availability.BUSY)


def _agents() -> tuple[DemoUser, ...]:
    agents = []
    for index, full_name in enumerate(_AGENT_NAMES):
        availability = _AGENT_AVAILABILITY[index % 2]
        if index == len(_AGENT_NAMES) - 1:
            availability = Availability.OFFLINE
        agents.append(
            DemoUser(
                email=f"agent{index + 1}@demo.cod",
                full_name=full_name,
                role=Role.DELIVERY_AGENT,
                phone=f"+2126610020{index + 1:02d}",
                availability=availability,
                area=AREA_NAMES[index // 2],
            )
        )
    return tuple(agents)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin@demo.cod", "Youssef El Amrani", Role.ADMIN, "+212661001001"),
    DemoUser("manager@demo.cod", "Salma Benjelloun", Role.MANAGER, "+212661001002"),
    DemoUser("rep1@demo.cod", "Khadija Alaoui", Role.CUSTOMER_REP, "+212661001003"),
    DemoUser("rep2@demo.cod", "Omar Tazi", Role.CUSTOMER_REP, "+212661001004"),
    DemoUser("rep3@demo.cod", "Imane Berrada", Role.CUSTOMER_REP, "+212661001005", Availability.BUSY),
    DemoUser("accountant@demo.cod", "Rachid Bennani", Role.ACCOUNTANT, "+212661001006"),
    *_agents(),
)
# email -> role, in a stable order: what other code prints as "demo logins".
DEMO_LOGINS: dict[str, str] = {user.email: str(user.role) for user in DEMO_USERS}

FIRST_NAMES = (
    "Mohamed", "Fatima", "Ahmed", "Khadija", "Youssef", "Aicha", "Omar", "Meryem", "Hassan", "Salma",
    "Said", "Nadia", "Abdellah", "Zineb", "Karim", "Hajar", "Mustapha", "Sanaa", "Rachid", "Loubna",
    "Hamid", "Ghizlane", "Adil", "Kaoutar", "Brahim", "Siham", "Ismail", "Houda", "Mouad", "Asmae",
    "Yassine", "Imane", "Anouar", "Oumaima", "Driss", "Chaimae", "Tarik", "Wiam", "Jamal", "Hanane",
    "Amine", "Soukaina", "Nabil", "Latifa", "Khalid", "Malika", "Othmane", "Rim", "Bilal", "Dounia",
)  # fmt: skip
LAST_NAMES = (
    "Alaoui", "Bennani", "Tazi", "Idrissi", "El Amrani", "Berrada", "Chraibi", "Benjelloun", "Fassi",
    "Lahlou", "Ouazzani", "Kettani", "Sekkat", "Bennis", "Naciri", "Skalli", "Filali", "Guessous",
    "El Mansouri", "Bouzidi", "Haddad", "Ait Ouahmane", "Amrani", "Belhaj", "Cherkaoui", "Daoudi",
    "El Khatib", "Hajji", "Jebli", "Lamrani", "Mernissi", "Ouali", "Rami", "Sbai", "Tahiri", "Ziani",
    "Benkirane", "El Ouafi", "Boukhari", "Zerouali",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "hotmail.com", "yahoo.fr", "outlook.com", "menara.ma")

CUSTOMER_NOTES = (
    "Appeler avant de venir", "Livrer après 18h", "Laisser chez le gardien", "Sonner deux fois",
    "Call before delivery please", "Deliver to my office in the morning", "Prefer WhatsApp contact",
)  # fmt: skip
INTERNAL_NOTES = (
    "Customer confirmed by phone", "Asked to change size before shipping", "Repeat customer, be polite",
    "Confirmed on WhatsApp", "Fragile: double packaging", "Customer wants to open the box before paying",
)  # fmt: skip
CANCEL_NOTES = (
    "Customer unreachable after 3 calls", "Customer changed their mind", "Duplicate order",
    "Fake order: wrong phone number", "Price too high with delivery fee", "Ordered by mistake",
)  # fmt: skip
RETURN_REASONS = (
    "Customer refused the parcel at the door", "Customer unreachable at delivery", "Wrong size",
    "Product does not match the photos", "Address not found", "Customer had no cash on delivery",
    "Item damaged in transit",
)  # fmt: skip
POST_DELIVERY_RETURN_REASONS = ("Defective product", "Wrong size, exchanged for refund", "Not as described")
ITEM_NOTES = ("Gift wrap requested", "Emballage cadeau", "Check color before shipping")
FEEDBACK = {
    5: ("Très rapide, merci !", "Excellent service", "Livreur très poli", "Parfait"),
    4: ("Good, slightly late", "Bien reçu", "Correct"),
    3: ("Delivery took long", "Livreur pressé"),
    2: ("Late by two days", "Colis un peu abîmé"),
    1: ("Agent was rude", "Never called before coming"),
}
RECIPIENT_RELATIONS = ("Self", "Self", "Self", "Spouse", "Family member", "Doorman", "Colleague")

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cstportal.apitokens.services import MAX_DAYS, create_api_token
from municipalities.models import User


class Command(BaseCommand):
    help = "Crea un token delle API per la persona indicata e stampa solo la chiave (mostrata una volta sola)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="indirizzo e-mail della persona")
        parser.add_argument("--name", default="Token da riga di comando", help="nome per riconoscere il token")
        parser.add_argument("--days", type=int, default=None, help="giorni di validità (senza: fino alla revoca)")

    def handle(self, *args, email: str, name: str, days: int | None, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Nessuna persona con l'indirizzo {email}.")
        if not user.is_active:
            raise CommandError(f"La persona {email} è disattivata.")
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days deve essere tra 1 e {MAX_DAYS}.")
        issued = create_api_token(user=user, name=name, days=days)
        self.stdout.write(issued.key)

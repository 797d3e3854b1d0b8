import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Membership, Organization, User

PASSWORD = "Correct-horse-battery-9"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name_fr = factory.Sequence(lambda n: f"Organisme {n}")
    name_en = factory.Sequence(lambda n: f"Organization {n}")
    name = factory.SelfAttribute("name_fr")
    kind = "department"
    contact_email = factory.Sequence(lambda n: f"org{n}@example.ca")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.ca")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    preferred_language = "fr"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "portal.administrator"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=30))


def totp_device(user):
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Test"})
    return device

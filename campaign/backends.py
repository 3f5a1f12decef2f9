"""Authentication backend: Django's ModelBackend, reading the user's profile and unit with the user.

Every page asks for the user's role and unit (navigation, access rules); reading them in the query that loads
the session's user saves a round trip per request (campaign/access.py uses them when they are loaded).
"""

from django.contrib.auth.backends import ModelBackend


class ProfileModelBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile__unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

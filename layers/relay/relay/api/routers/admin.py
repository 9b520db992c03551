from fastapi import APIRouter, Response, status

from relay.api.deps import AdminUser, RelayDep, UserId
from relay.api.problems import raises
from relay.api.schemas.users import UserCreate, UserCreated, UserPublic

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserCreated,
    openapi_extra=raises("INVALID_USERNAME", "INVALID_EMAIL", "USERNAME_TAKEN", "EMAIL_TAKEN", "USER_CONFLICT"),
)
def create_user(body: UserCreate, admin: AdminUser, relay: RelayDep, response: Response) -> UserCreated:
    """Create a user and its API key (shown once). Usernames and emails are stored lowercased."""
    user, api_key = relay.users.create_user(body.username, body.email, is_admin=body.is_admin)
    response.headers["Location"] = f"/v1/admin/users/{user.user_id}"
    return UserCreated(user=UserPublic.of(user), api_key=api_key)


@router.get("/users/{user_id}", response_model=UserPublic)
def get_user(user_id: UserId, admin: AdminUser, relay: RelayDep) -> UserPublic:
    return UserPublic.of(relay.users.get(user_id))

from fastapi import APIRouter, status

from relay.api.deps import AdminUser, RelayDep
from relay.api.schemas import UserCreate, UserCreated, UserPublic

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserCreated)
def create_user(body: UserCreate, admin: AdminUser, relay: RelayDep) -> UserCreated:
    user, api_key = relay.users.create_user(body.username, body.email, is_admin=body.is_admin)
    return UserCreated(user=UserPublic.of(user), api_key=api_key)

"""SQLAlchemy 1.4 ORM on an in-memory sqlite database: declarative models
with relationships, 2000 users with 3 addresses each inserted, then loaded
back (joined eager loading) into a session's identity map."""
from sqlalchemy import Column, ForeignKey, Integer, String, create_engine, select
from sqlalchemy.orm import Session, declarative_base, joinedload, relationship

PREFIXES = ("sqlalchemy.", "prog_sqlalchemy.")
CLASS = "prog_sqlalchemy.User"

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    addresses = relationship("Address", back_populates="user")


class Address(Base):
    __tablename__ = "addresses"
    id = Column(Integer, primary_key=True)
    email = Column(String(80))
    user_id = Column(ForeignKey("users.id"))
    user = relationship("User", back_populates="addresses")


def main(checkpoint):
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        for i in range(2000):
            s.add(User(name="user%d" % i,
                       addresses=[Address(email="u%d-%d@example.org" % (i, j))
                                  for j in range(3)]))
        s.commit()
    session = Session(engine)
    users = session.execute(select(User).options(joinedload(User.addresses))).unique().scalars().all()
    checkpoint()
    n = len(users)
    session.close()
    return {"users": n}

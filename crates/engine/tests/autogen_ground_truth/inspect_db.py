import sys, sqlalchemy as sa
e = sa.create_engine("sqlite:///" + sys.argv[1])
i = sa.inspect(e)
for t in sorted(i.get_table_names()):
    print("==", t)
    for c in i.get_columns(t): print("  col", {k: (repr(v) if k=='type' else v) for k,v in c.items()})
    print("  pk", i.get_pk_constraint(t))
    print("  fks", i.get_foreign_keys(t))
    print("  ix", i.get_indexes(t))
    print("  uq", i.get_unique_constraints(t))
    print("  ck", i.get_check_constraints(t))

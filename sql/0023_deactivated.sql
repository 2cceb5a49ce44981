-- A deactivation from the console is no lock: its own reason, `deactivated`, undone by reactivating (not by an unlock).
alter table users drop constraint users_lock_reason_check;
alter table users add constraint users_lock_reason_check
  check (lock_reason in ('admin', 'provisioning', 'failedLogins', 'deactivated'));

#!/usr/bin/perl
# backend_crash.t - a backend imapd dying between any two steps of a
# mailbox-list change (MURDER_CRASH_POINT makes it _exit(1) there) leaves
# a state the seeds' recovery handles: after a crash in CREATE the next
# CREATE of the name fails (here and on the other backend) rather than the
# mailbox appearing in two places; after a restart, whose START runs
# `ctl_mboxlist -m`, the master and the backend agree again: unfinished
# creations are undone, finished ones activated, deletions and renames
# completed, ACL changes pushed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MurderBackend;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb));

my $t = Murder::MurderBackend::murder();
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
my $here1 = Murder::MurderBackend::here($b1);
sub find { Murder::MurderBackend::find($t, @_) }
sub imap { Murder::MurderBackend::imap(@_) }
sub local1 { Murder::MurderBackend::local_list($b1) }

like(imap($b1, 'CREATE user/alice'), qr/^\S+ OK/, 'CREATE user/alice');

# crash - restart backend1 so its imapd dies at $point, run $cmd there
# (the connection must end without a tagged reply), check $during, then
# restart without the crash point (START resyncs).
sub crash {
    my ($point, $cmd, $during) = @_;
    $b1->{env}{MURDER_CRASH_POINT} = $point;
    $b1->restart;
    is(imap($b1, $cmd), 'EOF', "$point: imapd died during '$cmd'");
    ok(scalar $b1->log_lines(qr/crash point reached point=<\Q$point\E>/),
       "$point: at the crash point");
    $during->() if $during;
    delete $b1->{env}{MURDER_CRASH_POINT};
    $b1->restart;
}

# create: not acknowledged -> undone, unless the local commit happened
for my $point (qw(create_after_reserve create_after_store)) {
    my $name = "user.alice.$point";
    (my $ext = $name) =~ s/\./\//g;
    crash($point, "CREATE $ext", sub {
        like(imap($b1, "CREATE $ext"), qr/^\S+ NO /, "$point: next CREATE here fails");
        like(imap($b2, "CREATE $ext"), qr/^\S+ NO /, "$point: CREATE on backend2 fails");
        my $e = find($name);
        is($e->[0] // '', 'RESERVE', "$point: reserved on the master");
    });
    ok(!exists local1()->{$name}, "$point: resync undid the local entry");
    ok(!defined find($name), "$point: and the reservation");
    like(imap($b1, "CREATE $ext"), qr/^\S+ OK/, "$point: CREATE works afterwards");
    is((find($name) // [])->[0] // '', 'MAILBOX', "$point: now active");
}
crash('create_after_commit', 'CREATE user/alice/committed', sub {
    like(imap($b2, 'CREATE user/alice/committed'), qr/^\S+ NO /,
         'create_after_commit: CREATE on backend2 fails');
    is((find('user.alice.committed') // [])->[0] // '', 'RESERVE',
       'create_after_commit: still reserved on the master');
});
ok(exists local1()->{'user.alice.committed'}, 'create_after_commit: kept locally');
my $e = find('user.alice.committed') // [];
is($e->[0] // '', 'MAILBOX', 'create_after_commit: resync activated it');
is($e->[2] // '', $here1, 'create_after_commit: here');

# delete: local delete committed -> master entry removed by resync
like(imap($b1, 'CREATE user/alice/gone'), qr/^\S+ OK/, 'CREATE user/alice/gone');
crash('delete_after_local', 'DELETE user/alice/gone', sub {
    is((find('user.alice.gone') // [])->[0] // '', 'MAILBOX',
       'delete_after_local: master still lists it');
});
ok(!exists local1()->{'user.alice.gone'}, 'delete_after_local: deleted locally');
ok(!defined find('user.alice.gone'), 'delete_after_local: resync removed it from the master');

# rename: before the local rename nothing moved; after it, completed
like(imap($b1, 'CREATE user/alice/r1'), qr/^\S+ OK/, 'CREATE user/alice/r1');
like(imap($b1, 'CREATE user/alice/r1/kid'), qr/^\S+ OK/, 'CREATE user/alice/r1/kid');
crash('rename_after_reserve', 'RENAME user/alice/r1 user/alice/r2');
ok(exists local1()->{'user.alice.r1.kid'}, 'rename_after_reserve: not renamed locally');
is((find('user.alice.r1') // [])->[2] // '', $here1, 'rename_after_reserve: old name active');
ok(!defined find('user.alice.r2'), 'rename_after_reserve: new name released');
ok(!defined find('user.alice.r2.kid'), 'rename_after_reserve: new child name released');
my $n = 2;
for my $point (qw(rename_after_local rename_after_activate)) {
    my ($from, $to) = ("r" . ($n - 1), "r$n");
    crash($point, "RENAME user/alice/$from user/alice/$to");
    ok(exists local1()->{"user.alice.$to.kid"}, "$point: renamed locally");
    is((find("user.alice.$to") // [])->[0] // '', 'MAILBOX', "$point: new name active");
    is((find("user.alice.$to.kid") // [])->[0] // '', 'MAILBOX', "$point: new child active");
    ok(!defined find("user.alice.$from"), "$point: old name removed");
    ok(!defined find("user.alice.$from.kid"), "$point: old child removed");
    $n++;
}
crash('setacl_after_local', 'SETACL user/alice/committed bob lrs');
like((find('user.alice.committed') // [])->[3] // '', qr/(^|\t)bob\tlrs\t/,
     'setacl_after_local: resync pushed the new ACL');

$t->stop;
done_testing;

#!/usr/bin/perl
# backend_ops.t - a backend keeps the MUPDATE master current through every
# mailbox-list operation: CREATE appears on the master with location
# "servername!default" and the ACL; the same name cannot be created on the
# other backend (NO, clear text); SETACL, RENAME (children too) and DELETE
# are reflected; a user's own CREATE works through the same path.
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

like(imap($b1, 'CREATE user/alice'), qr/^\S+ OK/, 'CREATE user/alice on backend1');
my $e = find('user.alice');
is($e->[0] // '', 'MAILBOX', 'active on the master');
is($e->[2] // '', $here1, 'location backend1!default');
like($e->[3] // '', qr/^alice\t[a-z]+\t/, 'with the owner ACL');

my $r = imap($b2, 'CREATE user/alice');
like($r, qr/^\S+ NO \[ALREADYEXISTS\].*murder/i, 'same name on backend2: NO, says why');
is((find('user.alice') // [])->[2], $here1, 'still on backend1');
my $l2 = Murder::MurderBackend::local_list($b2);
ok(!exists $l2->{'user.alice'}, 'nothing left on backend2');

# the user's own CREATE
{
    my $c = Murder::MurderBackend::admin($b1, 'alice', 'alice-pw');
    like(scalar $c->cmd('CREATE Sent'), qr/^\S+ OK/, 'alice creates Sent');
    like(scalar $c->cmd('CREATE Sent/old'), qr/^\S+ OK/, 'and Sent/old');
    $c->close;
}
is((find('user.alice.Sent') // [])->[2], $here1, 'user.alice.Sent on the master');
is((find('user.alice.Sent.old') // [])->[2], $here1, 'user.alice.Sent.old too');

like(imap($b1, 'SETACL user/alice/Sent bob lrs'), qr/^\S+ OK/, 'SETACL');
like((find('user.alice.Sent') // [])->[3] // '', qr/(^|\t)bob\tlrs\t/, 'new ACL on the master');
like(imap($b1, 'DELETEACL user/alice/Sent bob'), qr/^\S+ OK/, 'DELETEACL');
unlike((find('user.alice.Sent') // [])->[3] // '', qr/bob/, 'ACL entry gone on the master');

like(imap($b1, 'RENAME user/alice/Sent user/alice/Archive'), qr/^\S+ OK/, 'RENAME with a child');
ok(!defined find('user.alice.Sent'), 'old name gone from the master');
ok(!defined find('user.alice.Sent.old'), 'old child name gone');
is((find('user.alice.Archive') // [])->[2], $here1, 'new name active');
is((find('user.alice.Archive.old') // [])->[0] // '', 'MAILBOX', 'new child name active');

# a name held by backend2 cannot be the target of a rename on backend1
like(imap($b2, 'CREATE shared2'), qr/^\S+ OK/, 'backend2 creates shared2');
like(imap($b1, 'RENAME user/alice/Archive/old shared2'), qr/^\S+ NO /,
     'rename onto a name backend2 holds: NO');
is((find('user.alice.Archive.old') // [])->[2], $here1, 'source untouched');

like(imap($b1, 'DELETE user/alice/Archive/old'), qr/^\S+ OK/, 'DELETE');
ok(!defined find('user.alice.Archive.old'), 'deleted on the master');
like(imap($b1, 'DELETE user/alice'), qr/^\S+ OK/, 'admin deletes the user');
ok(!defined find('user.alice'), 'user INBOX gone from the master');
ok(!defined find('user.alice.Archive'), 'and the user\'s other mailboxes');
like(imap($b2, 'CREATE user/alice'), qr/^\S+ OK/, 'now backend2 may create user/alice');
is((find('user.alice') // [])->[2], Murder::MurderBackend::here($b2), 'on backend2');

$t->stop;
done_testing;

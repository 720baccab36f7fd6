#!/usr/bin/perl
# backend_resync.t - `ctl_mboxlist -m` applies the seeds' three startup
# rules: a local mailbox missing on the master is pushed; an entry the
# master places on this backend without a local mailbox (active or
# reserved) is removed, except with -a; a local mailbox the master places
# elsewhere is moved aside (DELETED.conflict.<name>.<hex>) and its mail
# stays readable.  -w reports the same changes and changes nothing; a
# second run finds nothing to do; every change is a line, then a summary;
# long runs log progress; an unreachable master exits 75.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MurderBackend;
use Murder::LMTP;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb));

my $t = Murder::MurderBackend::murder();
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
my ($here1, $here2) = map { Murder::MurderBackend::here($_) } $b1, $b2;
sub find { Murder::MurderBackend::find($t, @_) }
sub mcmd { Murder::MurderBackend::cmd($t, @_) }
sub imap { Murder::MurderBackend::imap(@_) }
sub ctl { Murder::MurderBackend::ctl(@_) }
sub local1 { Murder::MurderBackend::local_list($b1) }

like(imap($b1, "CREATE user/alice$_"), qr/^\S+ OK/, "CREATE user/alice$_")
    for '', '/a', '/b';
{
    my $c = Murder::MurderBackend::admin($b1, 'alice', 'alice-pw');
    my $msg = Murder::LMTP::message(subject => 'keep me');
    my $len = length($msg);
    my $tag = $c->next_tag;
    $c->send("$tag APPEND b {$len+}\r\n$msg\r\n");
    like(scalar $c->until_tag($tag), qr/^\S+ OK/, 'a message in user.alice.b');
    $c->close;
}

# the master's list drifts from backend1's
is(mcmd('DELETE', 'user.alice.a'), 'OK', 'master forgets user.alice.a');
is(mcmd('ACTIVATE', 'user.ghost', $here1, ''), 'OK', 'master: user.ghost on backend1');
is(mcmd('RESERVE', 'user.ghostres', $here1), 'OK', 'master: a stale reservation');
is(mcmd('DELETE', 'user.alice.b'), 'OK', 'master forgets user.alice.b ...');
is(mcmd('ACTIVATE', 'user.alice.b', $here2, "alice\tlrs\t"), 'OK', '... and puts it on backend2');
is(mcmd('ACTIVATE', 'user.other', $here2, ''), 'OK', 'master: user.other on backend2');

# -w: the report, no change
my ($out, $st) = ctl($b1, '-m', '-w');
is($st, 0, '-w exits 0');
like($out, qr/^would push user\.alice\.a \(\Q$here1\E\)$/m, '-w: would push');
like($out, qr/^would unpush user\.ghost \(\Q$here1\E\)/m, '-w: would remove user.ghost');
like($out, qr/^would unpush user\.ghostres /m, '-w: would remove the reservation');
like($out, qr/^would conflict user\.alice\.b: the master places it on \Q$here2\E; local copy moved to DELETED\.conflict\.user\.alice\.b\.[0-9A-F]{8}$/m,
     '-w: would move user.alice.b aside');
unlike($out, qr/user\.other/, '-w: entries of other servers left alone');
like($out, qr/^summary: local=3 master=\d+ pushed=1 removed=2 moved_aside=1 abandoned=0 failed=0 \(dry run: nothing changed\)$/m,
     '-w: summary');
ok(!defined find('user.alice.a'), '-w pushed nothing');
is((find('user.ghost') // [])->[0] // '', 'MAILBOX', '-w removed nothing');
ok(exists local1()->{'user.alice.b'}, '-w moved nothing');

# -a: push and move aside, never remove
($out, $st) = ctl($b1, '-m', '-a');
is($st, 0, '-m -a exits 0') or diag($out);
like($out, qr/^push user\.alice\.a /m, '-a: pushed');
unlike($out, qr/unpush/, '-a: nothing removed');
is((find('user.alice.a') // [])->[2] // '', $here1, 'user.alice.a on the master');
is((find('user.ghost') // [])->[0] // '', 'MAILBOX', '-a kept user.ghost');
is((find('user.ghostres') // [])->[0] // '', 'RESERVE', '-a kept the reservation');
my $l = local1();
my ($aside) = grep { /^DELETED\.conflict\.user\.alice\.b\.[0-9A-F]{8}$/ } keys %$l;
ok($aside, 'conflict copy moved aside') or diag(join ' ', keys %$l);
$aside //= 'none';
ok(!exists $l->{'user.alice.b'}, 'no local user.alice.b any more');
like($out, qr/^conflict user\.alice\.b: .* moved to \Q$aside\E$/m, 'conflict reported');
is((find('user.alice.b') // [])->[2] // '', $here2, 'master still places user.alice.b on backend2');
my $ae = find($aside) // [];
is($ae->[2] // '', $here1, 'the moved copy is known to the master, here');
is($ae->[3] // 'undef', '', 'with an empty ACL (admins only)');
is((find('user.other') // [])->[2] // '', $here2, 'user.other untouched');

# the moved copy's mail is still there
{
    (my $ext = $aside) =~ s/\./\//g;
    my $c = Murder::MurderBackend::admin($b1);
    like(scalar $c->cmd(qq{SETACL "$ext" admin lrs}), qr/^\S+ OK/, 'admin grants itself read');
    like(scalar $c->cmd(qq{SELECT "$ext"}), qr/^\S+ OK/, 'SELECT the moved copy');
    my ($ok, @u) = $c->cmd('FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    like($ok, qr/^\S+ OK/, 'FETCH');
    ok(scalar(grep { /keep me/ } @u), 'the message is readable');
    $c->close;
}

# -m: removes what -a kept; a second run has nothing to do
($out, $st) = ctl($b1, '-m');
is($st, 0, '-m exits 0') or diag($out);
like($out, qr/^unpush user\.ghost /m, 'user.ghost removed');
like($out, qr/^unpush user\.ghostres /m, 'reservation removed');
ok(!defined find('user.ghost'), 'user.ghost gone from the master');
ok(!defined find('user.ghostres'), 'reservation gone from the master');
($out, $st) = ctl($b1, '-m');
is($st, 0, 'second -m exits 0');
like($out, qr/\Asummary: local=3 master=3 pushed=0 removed=0 moved_aside=0 abandoned=0 failed=0\n\z/,
     'second -m: nothing to do');

# progress of a long run: 10,001 local entries on backend2 (-w: no change)
{
    my $file = Murder::Instance::test_dir() . '/bulk.txt';
    open(my $fh, '>', $file) or die "$file: $!";
    printf $fh "user.bulk%05d\t%%M1 t=0: p=7:default a=0:\n", $_ for 1 .. 10001;
    close($fh);
    chmod(0644, $file);
    ($out, $st) = ctl($b2, '-u', '-f', $file);
    is($st, 0, '10,001 entries loaded on backend2') or diag($out);
    ($out, $st) = ctl($b2, '-m', '-w');
    like($out, qr/^summary: local=10001 .*pushed=10001 /m, '-w over 10,001 entries');
    ok(scalar $b2->log_lines(qr/resync progress phase=<[^>]+> entries=<10000>/),
       'a progress line at 10,000 entries');
    ok(!defined find('user.bulk00001'), 'still nothing pushed');
}

# no master: exit 75, a clear message
$t->mupdate->stop;
($out, $st) = ctl($b1, '-m');
is($st, 75, 'master down: exit 75');
like($out, qr/cannot reach the MUPDATE master/, 'master down: says so');

$t->stop;
done_testing;

#!/usr/bin/perl
# master_stalled_peers.t - the master's one event loop is never held by a
# peer that stalls before authenticating: a client that sends STARTTLS and
# then no handshake (or half a ClientHello) does not delay other peers'
# commands, and is closed MUPDATE_HANDSHAKE_TIMEOUT (10 s) later; a peer
# that connects and stays silent is closed after prot_timeout_preauth
# with a BYE; an authenticated peer that stays silent is kept.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::MUPDATE;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node(tls => 1, config => { prot_timeout_preauth => 5 });

# an authenticated peer, silent for the whole test
my $quiet = Murder::MUPDATE->connect($n);
ok($quiet->auth('admin', $Murder::MUPDATE::USERS{admin}), 'quiet peer logged in');

# STARTTLS, then nothing
my $stall = Murder::MUPDATE->connect($n);
is($stall->cmd('STARTTLS')->{status}, 'OK', 'staller: STARTTLS ok');
my $t_stall = time;
# STARTTLS, then the first bytes of a TLS record, then nothing
my $half = Murder::MUPDATE->connect($n);
is($half->cmd('STARTTLS')->{status}, 'OK', 'half-hello: STARTTLS ok');
$half->send_raw("\x16\x03\x01\x02\x00\x01\x00\x01");

# meanwhile another peer is served at once
my $t0 = time;
my $busy = Murder::MUPDATE->connect($n);
ok($busy->auth('admin', $Murder::MUPDATE::USERS{admin}), 'another peer logs in');
is($busy->cmd('RESERVE', 'user.stall', 'be1!default')->{status}, 'OK', 'and RESERVEs');
is($busy->cmd('FIND', 'user.stall')->{items}[0][0], 'RESERVE', 'and FINDs');
my $took = time - $t0;
cmp_ok($took, '<', 2, sprintf('served while two handshakes stall (%.2f s)', $took));

# a silent stranger
my $idle = Murder::MUPDATE->connect($n);
my $t_idle = time;

# the stalled handshakes are given up after 10 s, not before
ok(!defined $stall->read_response(6), 'staller still open after 6 s');
ok($n->wait_for_log(qr/reason=<TLS handshake timed out>/, 10), 'staller closed: handshake timed out');
my $stall_secs = time - $t_stall;
cmp_ok($stall_secs, '>=', 9, sprintf('not before 10 s (%.1f s)', $stall_secs));
ok(!defined $half->read_line(3), 'half-hello peer closed too');
is(scalar(() = $n->log_lines(qr/reason=<TLS handshake timed out>/)), 2, 'both logged');

# the idle stranger got a BYE after about 5 s
my $bye = $idle->read_line(10);
like($bye // '', qr/^\* BYE "idle before authentication"/, 'idle stranger: BYE');
my $idle_secs = time - $t_idle;
cmp_ok($idle_secs, '>=', 4.5, sprintf('after prot_timeout_preauth (%.1f s)', $idle_secs));

# the authenticated one, silent all along, still works
is($quiet->cmd('FIND', 'user.stall')->{items}[0][0], 'RESERVE', 'quiet authenticated peer kept');

$n->stop;
done_testing;

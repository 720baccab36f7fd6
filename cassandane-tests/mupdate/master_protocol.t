#!/usr/bin/perl
# master_protocol.t - the MUPDATE master (RFC 3656) command by command:
# the banner; only AUTHENTICATE/STARTTLS/LOGOUT/NOOP before login; a
# wrong password; RESERVE (and its conflicts, naming where), ACTIVATE
# (create and update), DEACTIVATE (only active at that location), DELETE,
# FIND and LIST [prefix] with their tagged MAILBOX/RESERVE answers;
# synchronising and non-synchronising literals in, literals out for
# strings that need them; BAD for bad syntax naming what was wrong; a
# non-admin may read but not change the list; LOGOUT.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node();
my $c = Murder::MUPDATE->connect($n);

# --- banner
my @b = $c->banner;
is(scalar @b, 3, 'three banner lines without TLS') or diag(join("\n", @b));
like($b[0], qr/^\* AUTH "PLAIN" "LOGIN"$/, '* AUTH lists the mechanisms quoted');
is($b[1], '* PARTIAL-UPDATE', 'PARTIAL-UPDATE advertised');
like($b[2], qr/^\* OK MUPDATE "\Q@{[$n->servername]}\E" "[^"]+" "[^"]+" "\(master\)"$/,
     '* OK MUPDATE servername impl version (master)');

# --- before authentication
my $r = $c->cmd('FIND', 'user.bob');
is($r->{status}, 'NO', 'FIND before login: NO');
like($r->{text}, qr/authenticate/i, '... asks to authenticate');
is($c->cmd('RESERVE', 'user.x', 'be!p')->{status}, 'NO', 'RESERVE before login: NO');
is($c->cmd('NOOP')->{status}, 'OK', 'NOOP allowed before login');
is($c->cmd('STARTTLS')->{status}, 'BAD', 'STARTTLS without a certificate: BAD');
ok(!$c->auth('admin', 'wrong'), 'wrong password refused');
is($c->{last}{status}, 'NO', '... with NO');
ok($n->wait_for_log(qr/login failed/, 5), 'failure logged');
ok($c->auth('admin', $Murder::MUPDATE::USERS{admin}), 'AUTHENTICATE PLAIN with initial response');
is($c->cmd('AUTHENTICATE', 'PLAIN', 'AGFkbWluAGFkbWluLXB3')->{status}, 'BAD',
   'second AUTHENTICATE: BAD');

# --- RESERVE / ACTIVATE / FIND
$r = $c->cmd('RESERVE', 'user.bob', 'be1!default');
is($r->{status}, 'OK', 'RESERVE ok');
$r = $c->cmd('FIND', 'user.bob');
is_deeply($r->{items}, [['RESERVE', 'user.bob', 'be1!default']], 'FIND: tagged RESERVE');
is($r->{status}, 'OK', 'FIND ok');
$r = $c->cmd('RESERVE', 'user.bob', 'be2!default');
is($r->{status}, 'NO', 'RESERVE of a reserved name: NO');
like($r->{text}, qr/exists.*reserved.*be1!default/, '... says where');
$r = $c->cmd('RESERVE', 'user.bob', 'be1!default');
is($r->{status}, 'NO', 'RESERVE again at the same location: NO');
$r = $c->cmd('ACTIVATE', 'user.bob', 'be1!default', "bob\tlrswipkxtecda\t");
is($r->{status}, 'OK', 'ACTIVATE a reservation');
$r = $c->cmd('FIND', 'user.bob');
is_deeply($r->{items}, [['MAILBOX', 'user.bob', 'be1!default', "bob\tlrswipkxtecda\t"]],
          'FIND: tagged MAILBOX with the ACL');
$r = $c->cmd('RESERVE', 'user.bob', 'be2!default');
is($r->{status}, 'NO', 'RESERVE of an active name: NO');
like($r->{text}, qr/active.*be1!default/, '... says where');
is($c->cmd('ACTIVATE', 'user.bob.Sent', 'be1!p2', "bob\tlrs\t")->{status}, 'OK',
   'ACTIVATE without RESERVE creates');
is($c->cmd('ACTIVATE', 'user.bob.Sent', 'be1!p2', "bob\tlrs\tanyone\tlr\t")->{status},
   'OK', 'ACTIVATE updates the ACL');
is($c->cmd('FIND', 'user.bob.Sent')->{items}[0][3], "bob\tlrs\tanyone\tlr\t", '... new ACL found');
is_deeply($c->cmd('FIND', 'user.nobody')->{items}, [], 'FIND of an unknown name: only OK');

# --- DEACTIVATE
$r = $c->cmd('DEACTIVATE', 'user.bob.Sent', 'be2!p2');
is($r->{status}, 'NO', 'DEACTIVATE at another location: NO');
$r = $c->cmd('DEACTIVATE', 'user.bob.Sent', 'be1!p2');
is($r->{status}, 'OK', 'DEACTIVATE ok');
is_deeply($c->cmd('FIND', 'user.bob.Sent')->{items}, [['RESERVE', 'user.bob.Sent', 'be1!p2']],
          '... now reserved');
is($c->cmd('DEACTIVATE', 'user.bob.Sent', 'be1!p2')->{status}, 'NO',
   'DEACTIVATE of a reservation: NO');
is($c->cmd('DEACTIVATE', 'user.none', 'be1!p2')->{status}, 'NO',
   'DEACTIVATE of an unknown name: NO');

# --- LIST
$c->cmd('ACTIVATE', 'user.carol', 'be2!default', "carol\tlrs\t");
$r = $c->cmd('LIST');
is($r->{status}, 'OK', 'LIST ok');
is_deeply([map { $_->[1] } @{$r->{items}}], ['user.bob', 'user.bob.Sent', 'user.carol'],
          'LIST: every entry in name order');
is_deeply([map { $_->[0] } @{$r->{items}}], ['MAILBOX', 'RESERVE', 'MAILBOX'],
          '... MAILBOX and RESERVE answers');
$r = $c->cmd('LIST', 'be2!');
is_deeply([map { $_->[1] } @{$r->{items}}], ['user.carol'], 'LIST "be2!": location prefix');
is_deeply($c->cmd('LIST', 'nowhere')->{items}, [], 'LIST of an unknown prefix: empty');

# --- DELETE
is($c->cmd('DELETE', 'user.carol')->{status}, 'OK', 'DELETE ok');
is_deeply($c->cmd('FIND', 'user.carol')->{items}, [], '... gone');
is($c->cmd('DELETE', 'user.carol')->{status}, 'NO', 'DELETE of an unknown name: NO');

# --- literals in and out
$c->send_raw("L1 ACTIVATE {9}\r\n");
my $cont = $c->read_line;
like($cont, qr/^\+ /, 'synchronising literal: + go ahead');
$c->send_raw("user.lit1 {11+}\r\nbe1!default \"lit1\tlrs\t\"\r\n");
is($c->wait_tagged('L1')->{status}, 'OK', 'ACTIVATE with literals');
my $odd = "be1!p\"q\\";
is($c->cmd('ACTIVATE', 'user.odd', $odd, '')->{status}, 'OK',
   'a location with a quote and a backslash');
$c->send_cmd('FIND', 'user.odd');
my $resp = $c->read_response;
ok($resp->{literal}, 'sent back as a literal');
is($resp->{words}[3], $odd, '... with the exact bytes');
is($c->wait_tagged($resp->{words}[0])->{status}, 'OK', 'FIND ok');

# --- bad syntax
$r = $c->cmd('FROB');
is($r->{status}, 'BAD', 'unknown command: BAD');
like($r->{text}, qr/Unrecognized command/i, '... says so');
$r = $c->cmd('RESERVE', 'user.x');
is($r->{status}, 'BAD', 'RESERVE with one argument: BAD');
like($r->{text}, qr/Missing arguments: RESERVE name location/, '... names the usage');
$r = $c->cmd('FIND', 'a', 'b');
like($r->{text}, qr/Extra arguments/, 'FIND with two arguments: Extra arguments');
$c->send_raw("B1 FIND \"unterminated\r\n");
$r = $c->wait_tagged('B1');
is($r->{status}, 'BAD', 'an unterminated quoted string: BAD');
ok(length($r->{text} // '') > 5, '... with a reason') or diag($r->{text});
$c->send_raw("\r\n");
$resp = $c->read_response;
like($resp->{raw}, qr/^\* BAD /, 'an empty line: untagged BAD');
$r = $c->cmd('ACTIVATE', 'user.badloc', 'nopartition', '');
is($r->{status}, 'NO', 'a location without !partition: NO');
like($r->{text}, qr/server!partition/, '... says what is expected');
$r = $c->cmd('ACTIVATE', 'user.badacl', 'be1!default', 'not an acl');
is($r->{status}, 'NO', 'an invalid ACL: NO');
is($c->cmd('NOOP')->{status}, 'OK', 'still usable after errors');

# --- a non-admin reads but does not write
my $b = Murder::MUPDATE->connect($n, user => 'bob');
is_deeply($b->cmd('FIND', 'user.bob')->{items}[0][0], 'MAILBOX', 'non-admin may FIND');
is($b->cmd('LIST')->{status}, 'OK', 'non-admin may LIST');
for my $cmd (['RESERVE', 'user.b2', 'be1!default'], ['ACTIVATE', 'user.b2', 'be1!default', ''],
             ['DEACTIVATE', 'user.bob', 'be1!default'], ['DELETE', 'user.bob']) {
    $r = $b->cmd(@$cmd);
    is($r->{status}, 'NO', "non-admin $cmd->[0]: NO");
    like($r->{text}, qr/admin/i, '... names the reason');
}
is($c->cmd('FIND', 'user.bob')->{items}[0][0], 'MAILBOX', 'the list is unchanged');

# --- LOGOUT
$r = $b->cmd('LOGOUT');
is($r->{status}, 'OK', 'LOGOUT answered');
ok(!defined $b->read_response(5), 'connection closed after LOGOUT');

$n->stop;
done_testing;

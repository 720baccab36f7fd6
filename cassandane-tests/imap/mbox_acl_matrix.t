#!/usr/bin/perl
# mbox_acl_matrix.t - RFC 4314 rights against the commands they govern,
# with two users: for each right alone granted to bob on one of alice's
# folders (SETACL by alice), every command succeeds exactly when it needs
# that right: l LIST, r EXAMINE/STATUS, i APPEND, k CREATE below, x
# DELETE, a GETACL/LISTRIGHTS, s/w/t PERMANENTFLAGS; MYRIGHTS shows the
# right; DELETEACL takes everything away again.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $adm = Murder::RawIMAP->connect($n);
$adm->login('admin', 'admin-pw');
$adm->cmd('CREATE user/alice');
$adm->cmd('CREATE user/bob');
my $al = Murder::RawIMAP->connect($n);
$al->login('alice', 'alice-pw');
my $bob = Murder::RawIMAP->connect($n);
$bob->login('bob', 'bob-pw');
my $msg = "Subject: x\r\n\r\nhi\r\n";
my $len = length $msg;

sub okno { my ($r) = @_; return $r =~ /^\S+ OK/ ? 1 : 0 }

for my $right (qw(l r i k x a s w t)) {
    my $box = "m$right";
    my $ext = "\"Other Users/alice/$box\"";
    $al->cmd("CREATE $box");
    like(scalar $al->cmd("SETACL $box bob $right"), qr/OK/, "SETACL bob $right");
    my ($ok, @u) = $bob->cmd("LIST \"\" $ext");
    is(scalar(@u), $right eq 'l' ? 1 : 0, "$right: LIST");
    is(okno(scalar $bob->cmd("STATUS $ext (MESSAGES)")), $right eq 'r' ? 1 : 0, "$right: STATUS");
    ($ok, @u) = $bob->cmd("SELECT $ext");
    is(okno($ok), $right eq 'r' ? 1 : 0, "$right: SELECT");
    $bob->cmd('UNSELECT') if okno($ok);
    $bob->send("A APPEND $ext {$len+}\r\n$msg\r\n");
    is(okno(scalar $bob->until_tag('A')), $right eq 'i' ? 1 : 0, "$right: APPEND");
    is(okno(scalar $bob->cmd("CREATE \"Other Users/alice/$box/sub\"")),
       $right eq 'k' ? 1 : 0, "$right: CREATE below");
    is(okno(scalar $bob->cmd("GETACL $ext")), $right eq 'a' ? 1 : 0, "$right: GETACL");
    is(okno(scalar $bob->cmd("LISTRIGHTS $ext bob")), $right eq 'a' ? 1 : 0,
       "$right: LISTRIGHTS");
    ($ok, @u) = $bob->cmd("MYRIGHTS $ext");
    my $shown = { k => 'kc', x => 'xc', t => 'td' }->{$right} // $right;
    is($u[0], "* MYRIGHTS $ext \"$shown\"", "$right: MYRIGHTS") if $right ne 'x' && $right ne 'k';
    is(okno(scalar $bob->cmd("DELETE $ext")), $right eq 'x' ? 1 : 0, "$right: DELETE");
}

# flags bob may store, with r plus one more right
my %perm = (s => '\Seen', w => '\Answered \Flagged \Draft', t => '\Deleted');
for my $right (sort keys %perm) {
    $al->cmd("SETACL mr bob r$right");
    my ($ok, @u) = $bob->cmd('SELECT "Other Users/alice/mr"');
    my ($pf) = grep { /PERMANENTFLAGS/ } @u;
    like($pf, qr/\(\Q$perm{$right}\E(?: \\\*)?\)/, "r$right: PERMANENTFLAGS");
    like($ok, qr/READ-WRITE/, "r$right: read-write");
    $bob->cmd('UNSELECT');
}
$al->cmd('SETACL mr bob r');
my ($ok) = $bob->cmd('SELECT "Other Users/alice/mr"');
like($ok, qr/READ-ONLY/, 'r alone: read-only');
$bob->cmd('UNSELECT');
like(scalar $al->cmd('DELETEACL mr bob'), qr/OK/, 'DELETEACL');
like(scalar $bob->cmd('STATUS "Other Users/alice/mr" (MESSAGES)'), qr/NO \[NONEXISTENT\]/,
     'after DELETEACL bob sees nothing');
my @u;
($ok, @u) = $al->cmd('LISTRIGHTS INBOX alice');
is($u[0], '* LISTRIGHTS "INBOX" "alice" lkxca r s w i p t e d n 0 1 2 3 4 5 6 7 8 9',
   'LISTRIGHTS: the owner always has the implicit rights');
like(scalar $al->cmd('SETACL INBOX bob lrQ'), qr/NO|BAD/, 'bad rights refused');
$n->stop;
done_testing;
